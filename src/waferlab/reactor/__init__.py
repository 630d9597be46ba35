"""reactor"""
